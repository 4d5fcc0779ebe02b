//! `/api/v1/me`, `/api/v1/users` (administrators) and `/api/v1/tokens`: who you are, who may sign in,
//! and the API tokens for integrations.

use rocket::response::status::Created;
use rocket::serde::json::Json;
use rocket::{delete, get, patch, post};
use serde::Serialize;
use utoipa::OpenApi;

use crate::error::{AppError, AppResult, ErrorBody};
use crate::services::api_tokens::{self, IssuedToken, NewToken, TokenView};
use crate::services::users::{self, NewUser, UserChanges, UserView};
use crate::web::access::{Admin, Caller, Viewer};
use crate::web::guards::{ApiJson, Db};

#[derive(OpenApi)]
#[openapi(
    paths(me, list_users, create_user, update_user, list_tokens, issue_token, revoke_token),
    components(schemas(Me, UserView, NewUser, UserChanges, TokenView, NewToken, IssuedToken))
)]
pub struct Doc;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The name the audit trail records for you.
    pub actor: String,
    /// user or token.
    pub kind: String,
    pub display_name: String,
    #[schema(value_type = String, example = "ict")]
    pub role: crate::domain::Role,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "access", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
#[get("/me")]
pub async fn me(who: Viewer) -> Json<Me> {
    let c: &Caller = &who.0;
    Json(Me {
        actor: c.actor.name.clone(),
        kind: c.actor.kind.as_str().into(),
        display_name: c.display_name.clone(),
        role: c.role,
    })
}

#[utoipa::path(get, path = "/api/v1/users", tag = "access",
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
#[get("/users")]
pub async fn list_users(db: Db<'_>, _who: Admin) -> AppResult<Json<Vec<UserView>>> {
    Ok(Json(users::list(db.inner()).await?))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "access", request_body = NewUser,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[post("/users", data = "<body>")]
pub async fn create_user(
    db: Db<'_>,
    who: Admin,
    body: Result<ApiJson<NewUser>, AppError>,
) -> AppResult<Created<Json<UserView>>> {
    let v = users::create(db.inner(), &who, body?.0).await?;
    Ok(Created::new(format!("/api/v1/users/{}", v.id)).body(Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "access", params(("id" = i32, Path)), request_body = UserChanges,
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[patch("/users/<id>", data = "<body>")]
pub async fn update_user(
    db: Db<'_>,
    who: Admin,
    id: i32,
    body: Result<ApiJson<UserChanges>, AppError>,
) -> AppResult<Json<UserView>> {
    Ok(Json(users::update(db.inner(), &who, id, body?.0).await?))
}

/// The signed-in person's account id; tokens acting for a token have none.
async fn own_id(db: Db<'_>, c: &Caller) -> AppResult<Option<i32>> {
    if c.actor.kind != crate::services::actor::ActorKind::User {
        return Ok(None);
    }
    Ok(users::by_username(db.inner(), &c.actor.name).await?.map(|u| u.id))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "access",
    description = "Your own tokens; an administrator sees everyone's.",
    responses((status = 200, body = Vec<TokenView>)))]
#[get("/tokens")]
pub async fn list_tokens(db: Db<'_>, who: Viewer) -> AppResult<Json<Vec<TokenView>>> {
    let scope =
        if who.0.may(crate::domain::Role::Admin) { None } else { Some(own_id(db, &who.0).await?.unwrap_or(-1)) };
    Ok(Json(api_tokens::list(db.inner(), scope).await?))
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "access", request_body = NewToken,
    description = "Issues a token with a role no higher than yours. The secret is in this response only.",
    responses((status = 201, body = IssuedToken), (status = 422, body = ErrorBody)))]
#[post("/tokens", data = "<body>")]
pub async fn issue_token(
    db: Db<'_>,
    who: Viewer,
    body: Result<ApiJson<NewToken>, AppError>,
) -> AppResult<Created<Json<IssuedToken>>> {
    let owner = own_id(db, &who.0).await?;
    let issued = api_tokens::issue(db.inner(), &who, who.0.role, owner, body?.0).await?;
    Ok(Created::new(format!("/api/v1/tokens/{}", issued.token.id)).body(Json(issued)))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "access", params(("id" = i32, Path)),
    description = "Revokes one of your tokens (an administrator: anyone's). It stops working at once.",
    responses((status = 200, body = TokenView), (status = 404, body = ErrorBody)))]
#[delete("/tokens/<id>")]
pub async fn revoke_token(db: Db<'_>, who: Viewer, id: i32) -> AppResult<Json<TokenView>> {
    let scope =
        if who.0.may(crate::domain::Role::Admin) { None } else { Some(own_id(db, &who.0).await?.unwrap_or(-1)) };
    Ok(Json(api_tokens::revoke(db.inner(), &who, id, scope).await?))
}

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![me, list_users, create_user, update_user, list_tokens, issue_token, revoke_token]
}
