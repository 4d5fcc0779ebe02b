//! Signing in and out, and a person's own account: their API tokens.

use askama::Template;
use rocket::form::{Form, FromForm};
use rocket::http::{CookieJar, Status};
use rocket::request::FlashMessage;
use rocket::response::Redirect;
use rocket::{get, post, State};

use super::{format, html, ok, redirect_with, Layout, Page, PageError, PageResult};
use crate::domain::Role;
use crate::services::api_tokens::{self, NewToken};
use crate::services::sessions::{self, SignInError};
use crate::web::access::{self, AuthSettings, Caller, Viewer, SESSION_COOKIE};
use crate::web::guards::Db;

pub fn routes() -> Vec<rocket::Route> {
    rocket::routes![sign_in_page, sign_in, sign_in_link, sign_out, account, issue_token, revoke_token]
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
}

/// Only a path on this site: never `//elsewhere` or `https://…`, so sign-in cannot be used to bounce
/// people to another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && !n.starts_with("/sign-") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[get("/sign-in?<next>")]
fn sign_in_page(next: Option<&str>, caller: Option<Caller>) -> PageResult {
    if caller.is_some() {
        return Ok(Page::Go(Redirect::to(safe_next(next))));
    }
    ok(&SignInPage {
        layout: Layout::anonymous("sign-in", "Sign in"),
        next: safe_next(next),
        username: String::new(),
        error: None,
    })
}

#[derive(FromForm)]
struct SignInForm {
    username: String,
    password: String,
    next: Option<String>,
}

#[post("/sign-in", data = "<form>")]
async fn sign_in(
    db: Db<'_>,
    settings: &State<AuthSettings>,
    jar: &CookieJar<'_>,
    remote: Option<std::net::IpAddr>,
    form: Form<SignInForm>,
) -> PageResult {
    let addr = remote.map(|a| a.to_string()).unwrap_or_else(|| "unknown".into());
    let next = safe_next(form.next.as_deref());
    let problem = match sessions::sign_in(db.inner(), &form.username, &form.password, &addr, &settings.sessions).await {
        Ok((token, _who)) => {
            jar.add_private(access::session_cookie(token, settings.inner()));
            return Ok(Page::Redirect(rocket::response::Flash::success(Redirect::to(next), "You are signed in")));
        }
        Err(SignInError::Wrong) => {
            (Status::Unauthorized, "The username or password is not right. Check them and try again.".to_string())
        }
        Err(SignInError::Throttled { until }) => (
            Status::TooManyRequests,
            format!(
                "Too many failed attempts. Try again after {}, or ask an administrator to reset your password.",
                format::datetime(until)
            ),
        ),
        Err(SignInError::Failed(e)) => return Err(e.into()),
    };
    let page = SignInPage {
        layout: Layout::anonymous("sign-in", "Sign in").with_errors(true),
        next,
        username: form.username.chars().take(100).collect(),
        error: Some(problem.1),
    };
    html(problem.0, &page)
}

/// A one-time link from `greenict user link` (or the demo's start): signs in and goes on to `next`.
#[get("/sign-in/link?<token>&<next>")]
async fn sign_in_link(
    db: Db<'_>,
    settings: &State<AuthSettings>,
    jar: &CookieJar<'_>,
    remote: Option<std::net::IpAddr>,
    token: &str,
    next: Option<&str>,
) -> PageResult {
    let addr = remote.map(|a| a.to_string()).unwrap_or_else(|| "unknown".into());
    match sessions::use_link(db.inner(), token, &addr, &settings.sessions).await? {
        Some((session, _)) => {
            jar.add_private(access::session_cookie(session, settings.inner()));
            Ok(Page::Go(Redirect::to(safe_next(next))))
        }
        None => {
            let page = SignInPage {
                layout: Layout::anonymous("sign-in", "Sign in").with_errors(true),
                next: safe_next(next),
                username: String::new(),
                error: Some(
                    "That sign-in link has been used or has expired. Sign in with your password, or ask for a new \
                     link (greenict user link NAME)."
                        .into(),
                ),
            };
            html(Status::Unauthorized, &page)
        }
    }
}

#[post("/sign-out")]
async fn sign_out(db: Db<'_>, _who: Viewer, jar: &CookieJar<'_>) -> PageResult {
    if let Some(token) = jar.get_private(SESSION_COOKIE).map(|c| c.value().to_string()) {
        sessions::sign_out(db.inner(), &token).await?;
    }
    access::end_session_cookie(jar);
    redirect_with("/sign-in".into(), "You are signed out")
}

struct TokenRow {
    id: i32,
    name: String,
    prefix: String,
    role: String,
    expires: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    username: String,
    tokens: Vec<TokenRow>,
    roles: Vec<&'static str>,
    new_secret: Option<String>,
    token_error: Option<String>,
}

async fn account_page(
    db: Db<'_>,
    who: &Caller,
    flash: Option<FlashMessage<'_>>,
    new_secret: Option<String>,
    token_error: Option<String>,
) -> Result<AccountPage, PageError> {
    let user = crate::services::users::by_username(db.inner(), &who.actor.name).await?;
    let user_id = user.as_ref().map(|u| u.id).unwrap_or(-1);
    let tokens = api_tokens::list(db.inner(), Some(user_id))
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            revoked: t.revoked_at.is_some(),
            name: t.name,
            prefix: t.prefix,
            role: t.role.to_string(),
            expires: format::date(t.expires_at.date_naive()),
            last_used: t.last_used_at.map(format::datetime).unwrap_or_else(|| "never".into()),
        })
        .collect();
    Ok(AccountPage {
        layout: Layout::new(who, "account", "Your account", flash).with_errors(token_error.is_some()),
        username: who.actor.name.clone(),
        tokens,
        roles: Role::ALL.into_iter().filter(|r| who.role.allows(*r)).map(Role::as_str).collect(),
        new_secret,
        token_error,
    })
}

#[get("/account")]
async fn account(db: Db<'_>, who: Viewer, flash: Option<FlashMessage<'_>>) -> PageResult {
    ok(&account_page(db, &who.0, flash, None, None).await?)
}

#[derive(FromForm)]
struct TokenForm {
    name: String,
    role: String,
    days: Option<i64>,
}

#[post("/account/tokens", data = "<form>")]
async fn issue_token(db: Db<'_>, who: Viewer, form: Form<TokenForm>) -> PageResult {
    let Some(user) = crate::services::users::by_username(db.inner(), &who.0.actor.name).await? else {
        return Err(PageError::BadRequest("Only people signed in with an account can issue tokens.".into()));
    };
    let Some(role) = Role::parse(&form.role) else {
        let page = account_page(db, &who.0, None, None, Some("Choose a role for the token.".into())).await?;
        return html(Status::UnprocessableEntity, &page);
    };
    let new = NewToken { name: form.name.clone(), role, expires_in_days: form.days.unwrap_or(90) };
    match api_tokens::issue(db.inner(), &who, who.0.role, Some(user.id), new).await {
        Ok(issued) => ok(&account_page(db, &who.0, None, Some(issued.secret), None).await?),
        Err(crate::error::AppError::Unprocessable(errs)) => {
            let message = errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ");
            html(Status::UnprocessableEntity, &account_page(db, &who.0, None, None, Some(message)).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[post("/account/tokens/<id>/revoke")]
async fn revoke_token(db: Db<'_>, who: Viewer, id: i32) -> PageResult {
    let owner = crate::services::users::by_username(db.inner(), &who.0.actor.name).await?.map(|u| u.id).unwrap_or(-1);
    let t = api_tokens::revoke(db.inner(), &who, id, Some(owner)).await?;
    redirect_with("/account#tokens".into(), format!("Token {} was revoked", t.name))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/assets?site_id=2")), "/assets?site_id=2");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
