//! Administrators manage who may sign in and with which role.

use askama::Template;
use rocket::form::{Form, FromForm};
use rocket::http::Status;
use rocket::request::FlashMessage;
use rocket::{get, post};

use super::{format, html, ok, redirect_with, Layout, PageError, PageResult};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::users::{self, NewUser, UserChanges};
use crate::web::access::{Admin, Caller};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![list, create, update]
}

struct UserRow {
    id: i32,
    username: String,
    display_name: String,
    role: String,
    disabled: bool,
    last_sign_in: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
    error: Option<String>,
}

async fn page(
    db: Db<'_>,
    who: &Caller,
    flash: Option<FlashMessage<'_>>,
    error: Option<String>,
) -> Result<UsersPage, PageError> {
    let users = users::list(db.inner())
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            role: u.role.to_string(),
            disabled: u.disabled,
            last_sign_in: u.last_sign_in_at.map(format::datetime).unwrap_or_else(|| "never".into()),
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    Ok(UsersPage {
        layout: Layout::new(who, "users", "Users", flash).with_errors(error.is_some()),
        users,
        roles: Role::ALL.into_iter().map(Role::as_str).collect(),
        error,
    })
}

fn message_of(e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Unprocessable(errs) => Ok(errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")),
        AppError::Conflict { message, .. } => Ok(message),
        other => Err(other.into()),
    }
}

#[get("/users")]
async fn list(db: Db<'_>, who: Admin, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&page(db, &who.0, flash, None).await?)
}

#[derive(FromForm)]
struct NewUserForm {
    username: String,
    display_name: Option<String>,
    role: String,
    password: String,
}

#[post("/users", data = "<form>")]
async fn create(db: Db<'_>, who: Admin, form: Form<NewUserForm>) -> PageResult {
    let form = form.into_inner();
    let Some(role) = Role::parse(&form.role) else {
        return html(Status::UnprocessableEntity, &page(db, &who.0, None, Some("Choose a role.".into())).await?);
    };
    let new = NewUser { username: form.username, display_name: form.display_name, role, password: form.password };
    match users::create(db.inner(), &who, new).await {
        Ok(u) => redirect_with("/users".into(), format!("{} can now sign in as {}", u.display_name, u.role)),
        Err(e) => html(Status::UnprocessableEntity, &page(db, &who.0, None, Some(message_of(e)?)).await?),
    }
}

#[derive(FromForm)]
struct UserForm {
    role: String,
    disabled: bool,
}

#[post("/users/<id>", data = "<form>")]
async fn update(db: Db<'_>, who: Admin, id: i32, form: Form<UserForm>) -> PageResult {
    let changes = UserChanges { role: Role::parse(&form.role), disabled: Some(form.disabled), ..Default::default() };
    match users::update(db.inner(), &who, id, changes).await {
        Ok(u) => redirect_with("/users".into(), format!("{} was saved", u.username)),
        Err(AppError::NotFound { .. }) => Err(PageError::NotFound("There is no such user.".into())),
        Err(e) => html(Status::Conflict, &page(db, &who.0, None, Some(message_of(e)?)).await?),
    }
}
