//! Request guards: the database handle, and a JSON body whose errors name the field and the place.
//! Who is acting, and what they may do, is `web::access`.

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use rocket::State;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The shared database handle, as a guard that fails cleanly when it was not managed.
pub type Db<'r> = &'r State<sea_orm::DatabaseConnection>;

/// A JSON body. Use as `Result<ApiJson<T>, AppError>` so the handler returns our error shape: syntax
/// errors are 400 with line and column; a bad value is 422 naming the field path.
pub struct ApiJson<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for ApiJson<T> {
    type Error = AppError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let limit = req.limits().get("json").unwrap_or(1.mebibytes());
        let text = match data.open(limit).into_string().await {
            Ok(s) if s.is_complete() => s.into_inner(),
            Ok(_) => {
                let e = AppError::bad_request("too_large", format!("the request body is over {limit}"));
                return data::Outcome::Error((Status::PayloadTooLarge, e));
            }
            Err(e) => {
                let e = AppError::bad_request("unreadable_body", format!("the request body could not be read: {e}"));
                return data::Outcome::Error((Status::BadRequest, e));
            }
        };
        match parse_json(&text) {
            Ok(v) => data::Outcome::Success(ApiJson(v)),
            Err(e) => data::Outcome::Error((e.status(), e)),
        }
    }
}

pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let msg = inner.to_string();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return AppError::bad_request("invalid_json", format!("the body is not valid JSON: {msg}"));
        }
        // serde reports an unknown field at its parent's path; name the field itself.
        let field = match msg.strip_prefix("unknown field `").and_then(|r| r.split('`').next()) {
            Some(unknown) => unknown.to_string(),
            None if path == "." => "body".to_string(),
            None => path,
        };
        let code = if msg.starts_with("unknown field") { "unknown_field" } else { "invalid" };
        AppError::field(&field, code, format!("{field}: {msg}"))
    })
}
